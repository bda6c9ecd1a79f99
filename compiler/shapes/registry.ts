/**
 * The registered target shapes, by name. featc's own shapes are registered here, one line each;
 * a program that drives the compiler may add its own with `registerShape` before it loads a config.
 */
import { batchShape } from "./batch/index.js";
import { onlineShape } from "./online/index.js";
import { sqlShape } from "./sql/index.js";
import type { TargetShape } from "./shape.js";

const shapes = new Map<string, TargetShape>();

/** Makes a shape available to targets by its name; a second shape of the same name is refused. */
export function registerShape(shape: TargetShape): void {
  if (!/^[a-z][a-z0-9-]*$/.test(shape.name))
    throw new Error(`featc: shape name '${shape.name}' must be lower case letters, digits and '-'`);
  const existing = shapes.get(shape.name);
  if (existing && existing !== shape) throw new Error(`featc: a shape named '${shape.name}' is already registered`);
  shapes.set(shape.name, shape);
}

/** The shape of that name, if registered. */
export function shapeNamed(name: string): TargetShape | undefined {
  return shapes.get(name);
}

/** The registered shapes' names, sorted. */
export function shapeNames(): string[] {
  return [...shapes.keys()].sort();
}

registerShape(batchShape);
registerShape(onlineShape);
registerShape(sqlShape);
