{{/* Checks the values once, with messages that say what to set. */}}
{{- define "vegvision.validate" -}}
{{- $g := .Values.global -}}
{{- if not (has $g.eventStore (list "postgres" "kurrentdb")) -}}
{{- fail (printf "global.eventStore must be postgres or kurrentdb, got %q" $g.eventStore) -}}
{{- end -}}
{{- if and (not .Values.postgresql.enabled) (not $g.database.url) (not $g.database.existingSecret) -}}
{{- fail "postgresql.enabled=false: set global.database.existingSecret (a Secret with the postgres:// URL) or global.database.url" -}}
{{- end -}}
{{- if and (eq $g.eventStore "kurrentdb") (not .Values.kurrentdb.enabled) (not $g.kurrentdb.url) (not $g.kurrentdb.existingSecret) -}}
{{- fail "global.eventStore=kurrentdb with kurrentdb.enabled=false: set global.kurrentdb.existingSecret or global.kurrentdb.url" -}}
{{- end -}}
{{- if and (not .Values.kafka.enabled) (contains "vegvision.fullname" $g.kafka.brokers) -}}
{{- fail "kafka.enabled=false: set global.kafka.brokers to your brokers (host:port,...)" -}}
{{- end -}}
{{- if and (not .Values.seaweedfs.enabled) (contains "-seaweedfs:" $g.s3.endpoint) -}}
{{- fail "seaweedfs.enabled=false: set global.s3.endpoint to your S3 endpoint (empty for AWS S3)" -}}
{{- end -}}
{{- if and (not .Values.seaweedfs.enabled) (not $g.s3.existingSecret) (not (and $g.s3.accessKeyId $g.s3.secretAccessKey)) -}}
{{- fail "seaweedfs.enabled=false: set global.s3.existingSecret (keys global.s3.accessKeyIdKey/secretAccessKeyKey) or global.s3.accessKeyId + secretAccessKey" -}}
{{- end -}}
{{- if and $g.adminToken.value (lt (len $g.adminToken.value) 16) -}}
{{- fail "global.adminToken.value must be at least 16 characters" -}}
{{- end -}}
{{- if and .Values.relabel.enabled (not .Values.relabel.model) -}}
{{- fail "relabel.enabled=true needs relabel.model (the model version to relabel with)" -}}
{{- end -}}
{{- end -}}

{{/* Hooks of the migration Job (see values.yaml migrations.hooks). */}}
{{- define "vegvision.migrationHooks" -}}
{{- if .Values.migrations.hooks -}}
{{- .Values.migrations.hooks -}}
{{- else if or .Values.postgresql.enabled (and (eq .Values.global.eventStore "kurrentdb") .Values.kurrentdb.enabled) .Values.seaweedfs.enabled .Values.kafka.enabled -}}
post-install,pre-upgrade
{{- else -}}
pre-install,pre-upgrade
{{- end -}}
{{- end -}}

{{/* A value kept across upgrades: the one in the existing Secret, else a new random one. */}}
{{- define "vegvision.keptSecret" -}}
{{- $existing := index . 0 -}}
{{- $key := index . 1 -}}
{{- if and $existing (hasKey ($existing.data | default dict) $key) -}}
{{- index $existing.data $key | b64dec -}}
{{- else -}}
{{- randAlphaNum 32 -}}
{{- end -}}
{{- end -}}

{{/* Pod-level settings of the Jobs (migrate, relabel). */}}
{{- define "vegvision.jobPodSpec" -}}
automountServiceAccountToken: false
restartPolicy: Never
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml .Values.global.podSecurityContext | nindent 2 }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
{{- end -}}
