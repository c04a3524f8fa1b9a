{{/*
Shared pieces of the bundled infrastructure charts (postgresql, kafka, kurrentdb, seaweedfs):
one single-node StatefulSet each, with a headless and a client Service. For production, point
vegvision at managed/external servers instead (see docs/deployment.md).
Usage: include "vegvision.infraServices" (dict "ctx" . "component" "kafka" "ports" (list (dict "name" "kafka" "port" 9092)))
*/}}
{{- define "vegvision.infraServices" -}}
{{- $ctx := .ctx -}}
{{- $name := include "vegvision.componentName" (list $ctx .component) -}}
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx .component) | nindent 4 }}
spec:
  type: ClusterIP
  selector:
    {{- include "vegvision.selectorLabels" (list $ctx .component) | nindent 4 }}
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
    {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}-headless
  labels:
    {{- include "vegvision.labels" (list $ctx .component) | nindent 4 }}
spec:
  clusterIP: None
  publishNotReadyAddresses: true
  selector:
    {{- include "vegvision.selectorLabels" (list $ctx .component) | nindent 4 }}
  ports:
    {{- range .ports }}
    - name: {{ .name }}
      port: {{ .port }}
      targetPort: {{ .name }}
      protocol: TCP
    {{- end }}
{{- end -}}

{{/* volumeClaimTemplates entry "data". Usage: include "vegvision.dataClaim" .Values.persistence */}}
{{- define "vegvision.dataClaim" -}}
volumeClaimTemplates:
  - metadata:
      name: data
    spec:
      accessModes: ["ReadWriteOnce"]
      {{- with .storageClass }}
      storageClassName: {{ . | quote }}
      {{- end }}
      resources:
        requests:
          storage: {{ .size }}
{{- end -}}
