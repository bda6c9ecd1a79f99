/**
 * The `sql` shape: the catalog runs inside a database engine. Map features are translated at
 * build time from their TypeScript bodies into SQL expressions of the target's dialect, loaders
 * and joins are `@when` variants written with `featc/sql`'s relational API, and `@fitted` values
 * are read from the artifact a fitting target saved, bound as parameters with their exact bits.
 */
import { SQL_DIALECTS, type SqlDialect } from "../../../runtime/sql/identifiers.js";
import type { TargetShape } from "../shape.js";
import { emitSqlTarget } from "./emit.js";
import { planSql } from "./plan.js";

const dialectOf = (options: Readonly<Record<string, string>>) => options.dialect as SqlDialect;

export const sqlShape: TargetShape = {
  name: "sql",
  description: "one SQL statement run inside a database engine, map features translated from TypeScript",
  options: { dialect: { description: "the SQL engine the statement is written for", values: SQL_DIALECTS } },
  fitted: "read",
  levels: "rows",
  lowersBodies: true,
  validate: (target) => [...planSql(target, dialectOf(target.options)).problems],
  emit: (input) => {
    const { plan } = planSql(input.target, dialectOf(input.target.options));
    if (!plan) throw new Error(`target '${input.target.name}' has no SQL plan`);
    return emitSqlTarget(input, plan);
  },
};
