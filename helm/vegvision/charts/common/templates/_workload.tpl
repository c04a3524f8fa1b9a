{{/*
A vegvision component: Deployment, Service, HorizontalPodAutoscaler (CPU) or KEDA ScaledObject
(Kafka consumer-group lag, consumers only) and PodDisruptionBudget.
Usage (from a subchart template):
  include "vegvision.workload" (dict "ctx" . "component" "api" "vegvisionEnv" true)
  include "vegvision.workload" (dict "ctx" . "component" "classifier" "vegvisionEnv" true "consumerGroup" "classifier")
The subchart's values: replicaCount, image, resources, autoscaling, podDisruptionBudget,
service, probes, extraEnv, extraVolumes, extraVolumeMounts, podSecurityContext,
securityContext, podAnnotations, nodeSelector, tolerations, affinity,
topologySpreadConstraints, strategy, terminationGracePeriodSeconds.
*/}}
{{- define "vegvision.workload" -}}
{{- $ctx := .ctx -}}
{{- $c := .component -}}
{{- $v := $ctx.Values -}}
{{- $g := $v.global -}}
{{- $name := include "vegvision.componentName" (list $ctx $c) -}}
{{- $lag := dict "enabled" false -}}
{{- if .consumerGroup }}{{ $lag = $v.lagAutoscaling | default (dict "enabled" false) }}{{ end -}}
{{- if and $lag.enabled $v.autoscaling.enabled -}}
{{- fail (printf "%s: autoscaling.enabled (CPU) and lagAutoscaling.enabled (KEDA) both set: enable one" $c) -}}
{{- end -}}
{{- if and $lag.enabled (gt (int $lag.maxReplicas) (int ($g.kafka.partitions | default 12))) -}}
{{- fail (printf "%s: lagAutoscaling.maxReplicas %v is above global.kafka.partitions %v: the extra replicas would get no partition" $c $lag.maxReplicas ($g.kafka.partitions | default 12)) -}}
{{- end -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx $c) | nindent 4 }}
spec:
  {{- if not (or $v.autoscaling.enabled $lag.enabled) }}
  replicas: {{ $v.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 5
  {{- with $v.strategy }}
  strategy:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "vegvision.selectorLabels" (list $ctx $c) | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "vegvision.selectorLabels" (list $ctx $c) | nindent 8 }}
        app.kubernetes.io/part-of: vegvision
      annotations:
        {{- if and $g.metrics.podAnnotations .vegvisionEnv }}
        prometheus.io/scrape: "true"
        prometheus.io/port: "8080"
        prometheus.io/path: /metrics
        {{- end }}
        {{- with $v.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "vegvision.serviceAccountName" $ctx }}
      automountServiceAccountToken: false
      {{- with $g.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml ($v.podSecurityContext | default $g.podSecurityContext) | nindent 8 }}
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds | default 30 }}
      containers:
        - name: {{ $c }}
          image: {{ include "vegvision.image" (list $ctx $c) | quote }}
          imagePullPolicy: {{ $g.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            {{- if .vegvisionEnv }}
            {{- include "vegvision.env" $ctx | nindent 12 }}
            {{- end }}
            {{- range $k, $val := $v.extraEnv }}
            - name: {{ $k }}
              value: {{ tpl (toString $val) $ctx | quote }}
            {{- end }}
          livenessProbe:
            httpGet:
              path: {{ $v.probes.livenessPath | default "/healthz" }}
              port: http
            periodSeconds: 15
            timeoutSeconds: 5
            failureThreshold: 4
          readinessProbe:
            httpGet:
              path: {{ $v.probes.readinessPath | default "/readyz" }}
              port: http
            periodSeconds: 10
            timeoutSeconds: 5
            failureThreshold: 3
          startupProbe:
            httpGet:
              path: {{ $v.probes.livenessPath | default "/healthz" }}
              port: http
            periodSeconds: 5
            timeoutSeconds: 5
            failureThreshold: {{ $v.probes.startupFailureThreshold | default 36 }}
          {{- if $v.probes.preStopSleepSeconds }}
          lifecycle:
            preStop:
              exec:
                command: ["sleep", "{{ $v.probes.preStopSleepSeconds }}"]
          {{- end }}
          resources:
            {{- toYaml $v.resources | nindent 12 }}
          securityContext:
            {{- toYaml ($v.securityContext | default $g.securityContext) | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with $v.extraVolumeMounts }}
            {{- toYaml . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit | default "256Mi" }}
        {{- with $v.extraVolumes }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $v.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.topologySpreadConstraints }}
      topologySpreadConstraints:
        {{- toYaml . | nindent 8 }}
      {{- end }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx $c) | nindent 4 }}
spec:
  type: {{ $v.service.type | default "ClusterIP" }}
  selector:
    {{- include "vegvision.selectorLabels" (list $ctx $c) | nindent 4 }}
  ports:
    - name: http
      port: {{ $v.service.port | default 8080 }}
      targetPort: http
      protocol: TCP
{{- if $v.autoscaling.enabled }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx $c) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    {{- with $v.autoscaling.targetCPUUtilizationPercentage }}
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
    {{- with $v.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  {{- with $v.autoscaling.behavior }}
  behavior:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}
{{- if $lag.enabled }}
---
# Scales on the consumer group's lag, read from Kafka by KEDA (which must be installed). The
# same lag is on every replica's /metrics as vegvision_consumer_group_lag_messages.
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx $c) | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $name }}
  minReplicaCount: {{ $lag.minReplicas }}
  maxReplicaCount: {{ $lag.maxReplicas }}
  pollingInterval: {{ $lag.pollingInterval }}
  cooldownPeriod: {{ $lag.cooldownPeriod }}
  {{- with $lag.behavior }}
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        {{- toYaml . | nindent 8 }}
  {{- end }}
  triggers:
    - type: kafka
      metadata:
        bootstrapServers: {{ tpl $g.kafka.brokers $ctx | quote }}
        consumerGroup: {{ printf "%s.%s" $g.kafka.topic .consumerGroup | quote }}
        topic: {{ $g.kafka.topic | quote }}
        lagThreshold: {{ $lag.lagThreshold | toString | quote }}
        activationLagThreshold: {{ $lag.activationLagThreshold | toString | quote }}
        # vegvision's groups start at the beginning of the topic
        offsetResetPolicy: earliest
        allowIdleConsumers: "false"
{{- end }}
{{- if $v.podDisruptionBudget.enabled }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $name }}
  labels:
    {{- include "vegvision.labels" (list $ctx $c) | nindent 4 }}
spec:
  {{- if hasKey $v.podDisruptionBudget "minAvailable" }}
  minAvailable: {{ $v.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $v.podDisruptionBudget.maxUnavailable | default 1 }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "vegvision.selectorLabels" (list $ctx $c) | nindent 6 }}
{{- end }}
{{- end -}}
