#!/usr/bin/env node
// Writes the config and policy validators of the built-in registries into dist as standalone ajv code, so the daemon
// loads them instead of compiling the schemas at every config load. Runs after tsc: it imports the built generator.
import { writeGeneratedValidators } from '../dist/config/generate-validators.js';

writeGeneratedValidators();
