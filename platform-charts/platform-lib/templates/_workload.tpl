{{/* A service's ServiceAccount: its identity in the mesh (AuthorizationPolicy principals name it). */}}
{{- define "platform-lib.service.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
automountServiceAccountToken: false
{{- end -}}

{{/* A service's Deployment: non-root, read-only root filesystem, resources, gRPC health probes. */}}
{{- define "platform-lib.service.deployment" -}}
apiVersion: apps/v1
kind: Deployment
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  {{- /* No replica count: the HorizontalPodAutoscaler owns it, so an upgrade never resets it. */}}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 1
      maxUnavailable: 0
  template:
    metadata:
      labels:
        {{- include "platform-lib.podLabels" . | nindent 8 }}
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ .Values.ports.metrics | quote }}
        prometheus.io/path: /metrics
        {{- /* Prometheus is outside the mesh: it reaches the metrics port directly, not through
        the sidecar's mutual TLS (the NetworkPolicy admits only Prometheus there). */}}
        traffic.sidecar.istio.io/excludeInboundPorts: {{ .Values.ports.metrics | quote }}
    spec:
      serviceAccountName: {{ include "platform-lib.name" . }}
      {{- /* Its token only when its Role lets it do something with the API server. */}}
      automountServiceAccountToken: {{ not (empty .Values.kubernetesAccess.rules) }}
      {{- include "platform-lib.podSecurityContext" . | nindent 6 }}
      terminationGracePeriodSeconds: 30
      {{- with include "platform-lib.podPlacement" . | trim }}{{ . | nindent 6 }}{{ end }}
      {{- with include "platform-lib.topologySpread" . | trim }}{{ . | nindent 6 }}{{ end }}
      containers:
        - name: {{ include "platform-lib.name" . }}
          image: {{ include "platform-lib.image" . | quote }}
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            {{- include "platform-lib.containerPorts" . | nindent 12 }}
          env:
            {{- include "platform-lib.serviceEnvironment" . | nindent 12 }}
            {{- if .Values.database }}
            {{- include "platform-lib.migrationsVariable" (dict "root" . "mode" "skip") | nindent 12 }}
            {{- end }}
            {{- with .Values.telemetry.tracesEndpoint }}
            {{- /* The kit exports its spans over OTLP/gRPC when this is set. */}}
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: {{ . | quote }}
            {{- end }}
          {{- include "platform-lib.grpcProbes" . | nindent 10 }}
          {{- include "platform-lib.resources" (dict "Values" .Values "withScratch" true) | nindent 10 }}
          {{- include "platform-lib.containerSecurityContext" . | nindent 10 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .Values.scratch }}
            - name: scratch
              mountPath: {{ .mountPath }}
            {{- end }}
            {{- if .Values.kafka }}
            - name: kafka-cluster-ca
              mountPath: /etc/kafka/cluster-ca
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: 256Mi
        {{- with .Values.scratch }}
        {{- /* More room than /tmp for what the service writes (work directories, caches); the
        kubelet evicts the pod that outgrows it; the container requests as much ephemeral storage. */}}
        - name: scratch
          emptyDir:
            sizeLimit: {{ .sizeLimit }}
        {{- end }}
        {{- if .Values.kafka }}
        - name: kafka-cluster-ca
          secret:
            secretName: {{ .Values.kafka.clusterCaSecret }}
            items:
              - key: ca.crt
                path: ca.crt
        {{- end }}
{{- end -}}

{{/* Container ports, named after what they carry. */}}
{{- define "platform-lib.containerPorts" -}}
- name: grpc
  containerPort: {{ .Values.ports.grpc }}
{{- with .Values.ports.websocket }}
- name: websocket
  containerPort: {{ . }}
{{- end }}
{{- with .Values.ports.http }}
- name: http
  containerPort: {{ . }}
{{- end }}
- name: metrics
  containerPort: {{ .Values.ports.metrics }}
{{- end -}}

{{/* Scale on CPU between the bounds in values. */}}
{{- define "platform-lib.service.autoscaler" -}}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "platform-lib.name" . }}
  minReplicas: {{ .Values.autoscaling.minReplicas }}
  maxReplicas: {{ .Values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .Values.autoscaling.targetCPUUtilizationPercentage }}
{{- end -}}

{{/* Voluntary disruptions (node drains) take at most this many pods at a time. */}}
{{- define "platform-lib.service.disruptionBudget" -}}
apiVersion: policy/v1
kind: PodDisruptionBudget
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  maxUnavailable: {{ .Values.disruptionBudget.maxUnavailable }}
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
{{- end -}}

{{/* What the service's ServiceAccount may do in its namespace (repos.yaml reaches: [kubernetes_jobs]). */}}
{{- define "platform-lib.service.role" -}}
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
rules:
  {{- toYaml .Values.kubernetesAccess.rules | nindent 2 }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "platform-lib.name" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "platform-lib.name" . }}
    namespace: {{ .Release.Namespace }}
{{- end -}}
