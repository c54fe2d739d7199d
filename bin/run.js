#!/usr/bin/env node
// oclif entry only.
import { execute, settings } from '@oclif/core';

process.env.OCLIF_DISABLE_ENGINE_WARNING ??= 'true';
// fdfs always runs its compiled dist/, whatever NODE_ENV says.
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
