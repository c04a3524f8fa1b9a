{{/*
Names and labels shared by the umbrella chart and every subchart. They depend only on the
release and on .Values.global, so they give the same answer in every chart of the tree.
*/}}

{{/* Base name of every resource: global.fullnameOverride, else the release name (plus "-vegvision" unless it already says so). */}}
{{- define "vegvision.fullname" -}}
{{- $g := .Values.global | default dict -}}
{{- if $g.fullnameOverride -}}
{{- $g.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else if contains "vegvision" .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-vegvision" .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Name of one component: <fullname>-<component>. Usage: include "vegvision.componentName" (list . "api") */}}
{{- define "vegvision.componentName" -}}
{{- $ctx := index . 0 -}}
{{- printf "%s-%s" (include "vegvision.fullname" $ctx) (index . 1) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The chart-managed Secret (generated credentials and any secret given as a plain value). */}}
{{- define "vegvision.secretName" -}}
{{- printf "%s-secrets" (include "vegvision.fullname" .) -}}
{{- end -}}

{{- define "vegvision.serviceAccountName" -}}
{{- $sa := (.Values.global | default dict).serviceAccount | default dict -}}
{{- if $sa.name -}}{{ $sa.name }}{{- else -}}{{ include "vegvision.fullname" . }}{{- end -}}
{{- end -}}

{{/* Labels. Usage: include "vegvision.labels" (list . "api") */}}
{{- define "vegvision.labels" -}}
{{- $ctx := index . 0 -}}
helm.sh/chart: {{ printf "%s-%s" $ctx.Chart.Name $ctx.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "vegvision.selectorLabels" . }}
app.kubernetes.io/version: {{ $ctx.Chart.AppVersion | default $ctx.Chart.Version | quote }}
app.kubernetes.io/managed-by: {{ $ctx.Release.Service }}
app.kubernetes.io/part-of: vegvision
{{- end -}}

{{- define "vegvision.selectorLabels" -}}
{{- $ctx := index . 0 -}}
app.kubernetes.io/name: vegvision
app.kubernetes.io/instance: {{ $ctx.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
Image reference of a component: <registry>/<repository>-<component>:<tag>, each part
overridable per component with .Values.image.{repository,tag}.
Usage: include "vegvision.image" (list . "api")
*/}}
{{- define "vegvision.image" -}}
{{- $ctx := index . 0 -}}
{{- $component := index . 1 -}}
{{- $g := ($ctx.Values.global | default dict).image | default dict -}}
{{- $own := $ctx.Values.image | default dict -}}
{{- $repository := $own.repository | default (printf "%s-%s" $g.repository $component) -}}
{{- $tag := $own.tag | default $g.tag | default $ctx.Chart.AppVersion -}}
{{- if $g.registry -}}
{{- printf "%s/%s:%s" $g.registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}
