{{/*
The VEGVISION_* environment of every vegvision container (services, migrate and relabel Jobs),
from .Values.global. Non-secret settings are plain values (strings may use templates, e.g.
the default addresses of the bundled servers); secrets come from secretKeyRef: the Secret named
in global.<x>.existingSecret, else the chart-managed Secret.
*/}}
{{- define "vegvision.secretRef" -}}
{{- $ctx := index . 0 -}}
{{- $cfg := index . 1 -}}
{{- $chartKey := index . 2 -}}
valueFrom:
  secretKeyRef:
    {{- if $cfg.existingSecret }}
    name: {{ $cfg.existingSecret | quote }}
    key: {{ $cfg.existingSecretKey | quote }}
    {{- else }}
    name: {{ include "vegvision.secretName" $ctx }}
    key: {{ $chartKey }}
    {{- end }}
{{- end -}}

{{- define "vegvision.env" -}}
{{- $g := .Values.global -}}
- name: VEGVISION_MODE
  value: distributed
- name: VEGVISION_HOST
  value: "0.0.0.0"
- name: VEGVISION_PORT
  value: "8080"
- name: VEGVISION_LOG_LEVEL
  value: {{ $g.logLevel | quote }}
{{- with $g.publicUrl }}
- name: VEGVISION_PUBLIC_URL
  value: {{ tpl . $ | quote }}
{{- end }}
{{- with $g.corsOrigins }}
- name: VEGVISION_CORS_ORIGINS
  value: {{ . | quote }}
{{- end }}
{{- with $g.trustProxy }}
- name: VEGVISION_TRUST_PROXY
  value: {{ . | toString | quote }}
{{- end }}
- name: VEGVISION_EVENT_STORE
  value: {{ $g.eventStore | quote }}
- name: VEGVISION_DATABASE_URL
  {{- include "vegvision.secretRef" (list . $g.database "database-url") | nindent 2 }}
{{- if eq $g.eventStore "kurrentdb" }}
- name: VEGVISION_KURRENTDB_URL
  {{- include "vegvision.secretRef" (list . $g.kurrentdb "kurrentdb-url") | nindent 2 }}
{{- end }}
- name: VEGVISION_KAFKA_BROKERS
  value: {{ tpl $g.kafka.brokers . | quote }}
- name: VEGVISION_TOPIC
  value: {{ $g.kafka.topic | quote }}
- name: VEGVISION_KAFKA_PARTITIONS
  value: {{ $g.kafka.partitions | default 12 | toString | quote }}
{{- with $g.s3.endpoint }}
- name: VEGVISION_S3_ENDPOINT
  value: {{ tpl . $ | quote }}
{{- end }}
- name: VEGVISION_S3_REGION
  value: {{ $g.s3.region | quote }}
- name: VEGVISION_S3_BUCKET
  value: {{ $g.s3.bucket | quote }}
- name: VEGVISION_S3_ACCESS_KEY_ID
  {{- include "vegvision.secretRef" (list . (dict "existingSecret" $g.s3.existingSecret "existingSecretKey" $g.s3.accessKeyIdKey) "s3-access-key-id") | nindent 2 }}
- name: VEGVISION_S3_SECRET_ACCESS_KEY
  {{- include "vegvision.secretRef" (list . (dict "existingSecret" $g.s3.existingSecret "existingSecretKey" $g.s3.secretAccessKeyKey) "s3-secret-access-key") | nindent 2 }}
- name: VEGVISION_ADMIN_TOKEN
  {{- include "vegvision.secretRef" (list . $g.adminToken "admin-token") | nindent 2 }}
{{- range $name, $value := $g.extraEnv }}
- name: {{ $name }}
  value: {{ tpl (toString $value) $ | quote }}
{{- end }}
{{- end -}}
