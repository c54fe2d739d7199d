#!/usr/bin/env node
// oclif entry only.
import { execute } from '@oclif/core';

process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true';
await execute({ dir: import.meta.url });
