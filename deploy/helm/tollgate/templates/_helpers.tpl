{{/* The chart's name, at most 63 characters (a label value). */}}
{{- define "tollgate.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's objects' name: the release name, with the chart's unless it already contains it. */}}
{{- define "tollgate.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "tollgate.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* What selects the release's pods: Deployment, Service, PodDisruptionBudget and ServiceMonitor alike. */}}
{{- define "tollgate.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tollgate.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "tollgate.labels" -}}
helm.sh/chart: {{ include "tollgate.chart" . }}
{{ include "tollgate.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The pods that run at least: replicaCount, or the autoscaler's minimum. */}}
{{- define "tollgate.minPods" -}}
{{- if .Values.autoscaling.enabled }}{{ int .Values.autoscaling.minReplicas }}{{ else }}{{ int .Values.replicaCount }}{{ end }}
{{- end }}

{{/* Where the rendered config is mounted (TOLLGATE_CONFIG). */}}
{{- define "tollgate.configPath" -}}
/etc/tollgate/tollgate.jsonc
{{- end }}

{{/*
Tollgate's configuration as JSON: .Values.config with what the chart owns filled in. server.host, port and
shutdownTimeout follow containerPort and shutdown; storage.url and redis.url read the environment variables the
Deployment sets from the Secrets. Setting one of them in .Values.config is an error rather than silently ignored.
*/}}
{{- define "tollgate.config" -}}
{{- $config := deepCopy (.Values.config | default dict) }}
{{- $server := dict }}
{{- if hasKey $config "server" }}{{ $server = get $config "server" }}{{ end }}
{{- range $key := list "host" "port" "shutdownTimeout" }}
{{- if hasKey $server $key }}{{ fail (printf "config.server.%s is set by the chart (containerPort, shutdown.timeoutSeconds): remove it from config" $key) }}{{ end }}
{{- end }}
{{- $_ := set $server "host" "0.0.0.0" }}
{{- $_ = set $server "port" (int .Values.containerPort) }}
{{- $_ = set $server "shutdownTimeout" (printf "%ds" (int .Values.shutdown.timeoutSeconds)) }}
{{- $_ = set $config "server" $server }}
{{- $storage := dict }}
{{- if hasKey $config "storage" }}{{ $storage = get $config "storage" }}{{ end }}
{{- if hasKey $storage "url" }}{{ fail "config.storage.url is set by the chart: name the Secret holding it in database.existingSecret" }}{{ end }}
{{- $_ = set $storage "url" "${TOLLGATE_DATABASE_URL}" }}
{{- $_ = set $config "storage" $storage }}
{{- $redis := dict }}
{{- if hasKey $config "redis" }}{{ $redis = get $config "redis" }}{{ end }}
{{- if hasKey $redis "url" }}{{ fail "config.redis.url is set by the chart: name the Secret holding it in redis.existingSecret" }}{{ end }}
{{- if .Values.redis.existingSecret }}
{{- $_ = set $redis "url" "${TOLLGATE_REDIS_URL}" }}
{{- $_ = set $config "redis" $redis }}
{{- else }}
{{- if gt (int (include "tollgate.minPods" .)) 1 }}{{ fail "redis.existingSecret is empty: more than one replica needs Redis to share limits (or run replicaCount 1 without autoscaling)" }}{{ end }}
{{- if .Values.autoscaling.enabled }}{{ fail "redis.existingSecret is empty: autoscaling needs Redis to share limits across replicas" }}{{ end }}
{{- $_ = unset $config "redis" }}
{{- end }}
{{- toPrettyJson $config }}
{{- end }}
