export * from './kubernetes-manifests';
export * from './rabbit-definitions';
export * from './manifest-files';
export { declareTopologyAt, exportDefinitions, managementGet } from './definitions-export';
