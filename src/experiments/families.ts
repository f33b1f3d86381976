/** Loads every structured family into the registry (src/structured/index.ts imports each one). */
import '../structured/index';
