import type { Model } from "@kubernetes-models/base";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { unknownFields } from "./kubernetes-fields.js";

/** What a rendered Kubernetes object says of itself. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: each kind's spec is checked against its schema, then read in tests.
  spec?: any;
  data?: Record<string, string>;
}

type ModelClass = new (data: never) => Model<unknown>;

/** The kinds the chart renders: each one's model (the OpenAPI schema's validator) and its declarations. */
const kinds: Record<string, { model: ModelClass; declarations: string }> = {
  "v1/ConfigMap": { model: ConfigMap, declarations: "kubernetes-models/v1/ConfigMap.d.ts" },
  "v1/Service": { model: Service, declarations: "kubernetes-models/v1/Service.d.ts" },
  "apps/v1/Deployment": { model: Deployment, declarations: "kubernetes-models/apps/v1/Deployment.d.ts" },
  "autoscaling/v2/HorizontalPodAutoscaler": {
    model: HorizontalPodAutoscaler,
    declarations: "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler.d.ts",
  },
  "policy/v1/PodDisruptionBudget": {
    model: PodDisruptionBudget,
    declarations: "kubernetes-models/policy/v1/PodDisruptionBudget.d.ts",
  },
  "networking.k8s.io/v1/Ingress": {
    model: Ingress,
    declarations: "kubernetes-models/networking.k8s.io/v1/Ingress.d.ts",
  },
  "monitoring.coreos.com/v1/ServiceMonitor": {
    model: ServiceMonitor,
    declarations: "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor.d.ts",
  },
};

/**
 * Why `object` would not be accepted: its kind is not one of the chart's, it fails its kind's OpenAPI schema
 * (types, required fields, enums, formats), or it has a field its kind does not. Empty when it is valid.
 */
export function kubernetesProblems(object: KubernetesObject): string[] {
  const kind = kinds[`${object.apiVersion}/${object.kind}`];
  if (!kind) return [`${object.apiVersion} ${object.kind} is not a kind this check knows`];
  const problems: string[] = [];
  try {
    new kind.model(object as never).validate();
  } catch (error) {
    problems.push((error as Error).message);
  }
  return [...problems, ...unknownFields(object, kind.declarations)];
}
