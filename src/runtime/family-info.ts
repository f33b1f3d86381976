/**
 * Plain data about the structured families for the UI: name, one paragraph, paper. GPU-free (read
 * from the families' *.spec.ts metadata), so the main-thread bundle can import it.
 */
import { FAMILY_META } from '../structured/specs';

export interface FamilyInfo {
  name: string;
  about: string;
  paper: { title: string; url: string };
}

export function familyInfo(): FamilyInfo[] {
  return Object.values(FAMILY_META).map((f) => ({
    name: f.name,
    about: f.about,
    paper: { title: f.paper.title, url: f.paper.url },
  }));
}
