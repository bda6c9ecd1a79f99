/**
 * The config file's default name, in a module of its own: the command line shows it in its
 * help before (and without) loading the compiler.
 */
export const DEFAULT_CONFIG_NAME = "featc.config.json";
