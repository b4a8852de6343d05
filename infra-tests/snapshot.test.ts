import { expect, it } from "vitest";
import { resources, synth } from "./synth.ts";

// A reviewed picture of the deployed topology. An unreviewed change to tables, queues, functions, mappings or
// alarms fails here loudly; update with `npx vitest run infra-tests -u` after reviewing the diff.
it("matches the reviewed topology", () => {
  const { template } = synth({ stage: "snap" });
  const summary = Object.fromEntries(
    [
      "AWS::DynamoDB::Table",
      "AWS::SQS::Queue",
      "AWS::Lambda::Function",
      "AWS::Lambda::EventSourceMapping",
      "AWS::Lambda::Url",
      "AWS::Events::Rule",
      "AWS::CloudWatch::Alarm",
    ].map((type) => [
      type,
      resources(template, type)
        .map(([id, p]) => {
          const { Code: _c, Role: _r, ...rest } = p ?? {};
          return { id, ...rest };
        })
        .sort((a, b) => a.id.localeCompare(b.id)),
    ]),
  );
  expect(summary).toMatchSnapshot();
});
