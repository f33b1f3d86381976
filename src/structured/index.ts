/**
 * Every structured family, registered. Import this module (not the family files) to get a full
 * registry; getFamily('monarch') etc. then works.
 */
import './blockdiag';
import './fwsvd';
import './kronecker';
import './lowrank';
import './monarch';
import './nm-sparse';
import './orthoproj';
import './sparse';
import './sparse-lowrank';

export { getFamily, registeredFamilies } from './registry';
export type { FamilyName, FamilySpec } from './specs';
export { FAMILY_NAMES } from './specs';
export type { ProjectOptions, StructuredMatrix } from './types';
export { SpecError } from './types';
