// "featc/node": the part of featc's runtime that needs Node — @fitted artifact files and the
// progress bar for long batch runs. Everything else is in "featc" (index.ts), which is node-free.
export { loadFitted, saveFitted } from "./fitted-file.js";
export { createProgressBar, formatCount, formatDuration, type ProgressBar, type ProgressStream } from "./progress.js";
