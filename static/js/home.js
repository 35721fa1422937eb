// The home page: service items (the foreign-work system's two entries),
// "New here?" and the session-aware header.
import { initHeader } from './header.js';

initHeader();
