// The home page: service items (the foreign-work system's two entries),
// "New here?" and the session-aware header. Logged in, the entries lead
// straight to their pages instead of through the login.
import { initHeader } from './header.js';

const { session } = await initHeader();
if (session) {
  for (const a of document.querySelectorAll('.entry-link')) {
    const next = new URL(a.href).searchParams.get('next');
    if (next) a.href = next;
  }
}
