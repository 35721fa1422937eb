// A page whose only script is the header's: the language switch and who is
// logged in (/appeal, the 404 page).
import { initHeader } from './header.js';

initHeader();
