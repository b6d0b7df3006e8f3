// Light, dark, or the system's choice; kept in localStorage.
import { signal } from './store.js';

const media = matchMedia('(prefers-color-scheme: dark)');
export const theme = signal(localStorage.getItem('hearth.theme') || 'system');
const apply = () => {
  const v = theme.get();
  document.documentElement.dataset.theme = v === 'system' ? (media.matches ? 'dark' : 'light') : v;
};
media.addEventListener?.('change', apply);
apply();
export function setTheme(v) { localStorage.setItem('hearth.theme', v); theme.set(v); apply(); }
