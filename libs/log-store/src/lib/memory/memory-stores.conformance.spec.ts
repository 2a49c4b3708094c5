import { describeLogStoreConformance, describeSessionRegistryConformance } from '../../testing';
import { createMemoryStores } from './create-memory-stores';

const factory = async (options: Parameters<typeof createMemoryStores>[0]) => createMemoryStores(options);
// One process's memory has one replica: the stores themselves (this runs the replica checks' own logic).
const conformance = { replica: async <T>(of: T) => of };

describeLogStoreConformance('memory', factory, conformance);
describeSessionRegistryConformance('memory', factory, conformance);
