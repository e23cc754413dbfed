export { ObjectStore, artifactKey, uploadKey } from './object-store';
