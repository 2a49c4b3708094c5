import { describeLogStoreConformance, describeSessionRegistryConformance } from '../../testing';
import { createMemoryStores } from './create-memory-stores';

const factory = async (options: Parameters<typeof createMemoryStores>[0]) => createMemoryStores(options);

describeLogStoreConformance('memory', factory);
describeSessionRegistryConformance('memory', factory);
