/**
 * Plain data about the structured families for the UI: name, one paragraph, paper. Only strings
 * cross this boundary (no Tensor, no GPU object).
 */
import '../structured/index';
import { registeredFamilies } from '../structured/registry';

export interface FamilyInfo {
  name: string;
  about: string;
  paper: { title: string; url: string };
}

export function familyInfo(): FamilyInfo[] {
  return registeredFamilies().map((f) => ({
    name: f.name,
    about: f.about,
    paper: { title: f.paper.title, url: f.paper.url },
  }));
}
