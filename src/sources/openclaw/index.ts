export { OpenClawSource, DEFAULT_URL, CAPABILITIES, type OpenClawOptions } from './source.js';
export { OpenClawError } from './errors.js';
export { discoverGateway } from './discover.js';
export { name, description, schema, example, capabilities, create, openclawSourceModule } from './module.js';
