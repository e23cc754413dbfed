export * from './kubernetes-manifests';
export * from './rabbit-definitions';
export * from './manifest-files';
export { exportDefinitions, managementGet } from './definitions-export';
