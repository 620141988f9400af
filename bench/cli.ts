export { runBench } from './main.js';
