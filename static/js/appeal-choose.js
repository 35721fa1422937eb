// 申诉找回账号 (/appeal): which appeal fits (FAQ 1(2), 3.3, 3.4), and the
// quicker ways first. Only the header needs a script.
import { initHeader } from './header.js';

initHeader();
