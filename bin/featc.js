#!/usr/bin/env node
// featc's command line. The compiler is written in TypeScript and loaded through tsx's ESM hooks.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../compiler/cli.ts");
process.exitCode = await main(process.argv);
