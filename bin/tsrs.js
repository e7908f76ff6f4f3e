#!/usr/bin/env node
import { main } from '../dist/server/cli.js';

main(process.argv.slice(2));
