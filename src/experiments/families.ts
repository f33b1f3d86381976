/**
 * Loads every structured family into the registry (each family file registers itself on import).
 * Replace the list by `import '../structured/index'` once that file exists.
 */
import '../structured/blockdiag';
import '../structured/fwsvd';
import '../structured/kronecker';
import '../structured/lowrank';
import '../structured/monarch';
import '../structured/nm-sparse';
import '../structured/orthoproj';
import '../structured/sparse';
