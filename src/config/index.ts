// The config layer's public surface: pass 1 (.conf syntax), value parsers, and the typed
// tracker / storage / client schemas, storage ids and MIME types. Import from here.
export * from './ini.js';
export * from './values.js';
export * from './allow-hosts.js';
export * from './schema.js';
export * from './common-fields.js';
export * from './tracker-conf.js';
export * from './storage-conf.js';
export * from './client-conf.js';
export * from './storage-ids.js';
export * from './mime-types.js';
