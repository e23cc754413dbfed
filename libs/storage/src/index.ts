export { ObjectStore, artifactKey, uploadKey, staticCredentials } from './object-store';
