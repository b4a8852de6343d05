import { describe, expect, it } from "vitest";
import { formatLine, Logger, timestamp } from "../../cli/logger.ts";
import { table, tabwrite } from "../../cli/output.ts";

// eksctl's log line: "2006-01-02 15:04:05 [ℹ]  message" (local time, two spaces after the icon), and
// eksctl's tables (Go tabwriter with tab padding).

const at = new Date(2021, 7, 19, 13, 47, 26);

describe("log lines", () => {
  it("has eksctl's exact shape", () => {
    expect(timestamp(at)).toBe("2021-08-19 13:47:26");
    expect(formatLine("info", 'registered cluster "x" successfully', at)).toBe(
      '2021-08-19 13:47:26 [ℹ]  registered cluster "x" successfully\n',
    );
    expect(formatLine("success", "ok", at)).toBe("2021-08-19 13:47:26 [✔]  ok\n");
    expect(formatLine("warning", "hm", at)).toBe("2021-08-19 13:47:26 [!]  hm\n");
    expect(formatLine("critical", "bad", at)).toBe("2021-08-19 13:47:26 [✖]  bad\n");
  });

  it("follows -v: 0 silent, 3 info (default), 4 debug", () => {
    const lines = (verbosity: number) => {
      let text = "";
      const log = new Logger({ verbosity, out: { write: (s: string) => (text += s) }, now: () => at });
      log.critical("c");
      log.warning("w");
      log.info("i");
      log.debug("d");
      return text
        .split("\n")
        .filter(Boolean)
        .map((l) => l.slice(20));
    };
    expect(lines(0)).toEqual([]);
    expect(lines(2)).toEqual(["[✖]  c", "[!]  w"]);
    expect(lines(3)).toEqual(["[✖]  c", "[!]  w", "[ℹ]  i"]);
    expect(lines(4)).toEqual(["[✖]  c", "[!]  w", "[ℹ]  i", "[▶]  d"]);
  });

  it("is not coloured when the output is not a terminal", () => {
    let text = "";
    new Logger({ out: { write: (s: string) => (text += s) }, now: () => at }).info("x");
    expect(text).not.toContain("\x1b[");
  });
});

describe("tables", () => {
  it("match eksctl's golden file", () => {
    // pkg/printers/testdata/tabletest_single.golden
    expect(table(["NAME", "ARN"], [["test-cluster", "arn-12345678"]])).toBe(
      "NAME\t\tARN\ntest-cluster\tarn-12345678\n",
    );
  });

  it("line columns up on 8-column tab stops", () => {
    const out = tabwrite([
      ["NAME", "REGION", "EKSCTL CREATED"],
      ["test-1", "eu-north-1", "False"],
    ]);
    expect(out).toBe("NAME\tREGION\t\tEKSCTL CREATED\ntest-1\teu-north-1\tFalse\n");
  });
});
