/**
 * featc/sql's ClickHouse adapter against a real server (shard 0 of the test cluster): results
 * read in the Native format over several blocks, column types checked, and what happens when
 * the server closes a keep-alive connection as a request goes out — a read is sent again once,
 * a write never.
 *
 * A server closing an idle connection races with the client's next request, and the race cannot
 * be timed from outside; so the connection goes through a TCP relay that forwards everything to
 * ClickHouse and, when told, closes the client's connection on its next request without passing
 * it on — what the client sees when the server's keep-alive timeout fires as it writes.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clickhouseConnection, type SqlConnection } from "../../runtime/sql/connection.js";
import { startClickHouse, type ClickHouseCluster } from "../support/engines.js";

interface Relay {
  readonly port: number;
  /** Closes the client's connection on each of the next `n` requests, forwarding none of them. */
  dropNext(n: number): void;
  /** Requests dropped so far. */
  readonly dropped: number;
  close(): Promise<void>;
}

async function relay(target: number): Promise<Relay> {
  let toDrop = 0;
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, "127.0.0.1");
    sockets.add(client).add(upstream);
    // A request starts when the client writes after the previous response (or first).
    let awaitingRequest = true;
    client.on("data", (chunk) => {
      if (awaitingRequest && toDrop > 0) {
        toDrop--;
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      awaitingRequest = false;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      awaitingRequest = true;
      client.write(chunk);
    });
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      a.on("end", () => b.end());
      a.on("error", () => b.destroy());
      a.on("close", () => sockets.delete(a));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    dropNext: (n) => (toDrop = n),
    get dropped() {
      return dropped;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let cluster: ClickHouseCluster;
let proxy: Relay;
let connection: SqlConnection;

beforeAll(async () => {
  cluster = await startClickHouse();
  proxy = await relay(cluster.httpPorts[0]);
  connection = clickhouseConnection({ url: `http://127.0.0.1:${proxy.port}/` });
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await cluster?.stop();
});

const numbers =
  "SELECT toFloat64(number) / 3 AS x, number % 3 = 0 AS b, ['male', 'female', 'e\u0301', ''][number % 4 + 1] AS s FROM system.numbers LIMIT 200000";
const spec = [
  { name: "x", type: "number" },
  { name: "b", type: "boolean" },
  { name: "s", type: "string" },
] as const;

describe("the ClickHouse adapter", () => {
  it("reads a result of several Native blocks into typed columns, every value as the server sent it", async () => {
    const result = await connection.query(numbers, [], spec);
    expect(result.length).toBe(200_000);
    const x = result.columns.x as Float64Array;
    const b = result.columns.b as boolean[];
    const s = result.columns.s as string[];
    for (let i = 0; i < 200_000; i++)
      if (x[i] !== i / 3 || b[i] !== (i % 3 === 0) || s[i] !== ["male", "female", "e\u0301", ""][i % 4])
        throw new Error(`row ${i}: ${x[i]} ${b[i]} ${s[i]}`);
  });

  it("refuses a column whose type is not the one the statement declares, naming it", async () => {
    await expect(connection.query("SELECT toInt64(1) AS x", [], [{ name: "x", type: "number" }])).rejects.toThrow(
      /column 'x' is Int64, where the statement declares 'x' Float64/,
    );
  });

  it("sends a read again once when the connection is closed as the request goes out", async () => {
    await connection.query("SELECT toFloat64(1) AS x", [], [{ name: "x", type: "number" }]); // a kept-alive connection
    // The situation is real: fetch alone fails on it.
    proxy.dropNext(1);
    await expect(fetch(`http://127.0.0.1:${proxy.port}/`, { method: "POST", body: "SELECT 1" })).rejects.toThrow(/fetch failed/);
    proxy.dropNext(1);
    const before = proxy.dropped;
    const result = await connection.query("SELECT toFloat64(2) AS x", [], [{ name: "x", type: "number" }]);
    expect(proxy.dropped).toBe(before + 1);
    expect(Array.from(result.columns.x as Float64Array)).toEqual([2]);
    // Once only: a second failure is the caller's.
    proxy.dropNext(2);
    await expect(connection.query("SELECT toFloat64(3) AS x", [], [{ name: "x", type: "number" }])).rejects.toThrow(/fetch failed/);
    expect(proxy.dropped).toBe(before + 3);
  });

  it("never sends a write again: the statement fails and the table is as it was", async () => {
    await connection.execute("CREATE TABLE featc_retry (v Float64) ENGINE = Memory", []);
    await connection.execute("INSERT INTO featc_retry VALUES (1)", []);
    proxy.dropNext(1);
    await expect(connection.execute("INSERT INTO featc_retry VALUES (2)", [])).rejects.toThrow(/fetch failed/);
    expect((await cluster.query("SELECT count() FROM featc_retry")).trim()).toBe("1");
    await connection.execute("INSERT INTO featc_retry VALUES (3)", []);
    expect((await cluster.query("SELECT groupArray(v) FROM featc_retry")).trim()).toBe("[1,3]");
  });
});
