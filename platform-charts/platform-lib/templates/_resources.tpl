{{/*
Requests and limits; both are required by the values schema, so every container has them. Call
with the chart's context, or (dict "Values" .Values "withScratch" true) for the service's own
container, which also requests its scratch volume's ephemeral storage.
*/}}
{{- define "platform-lib.resources" -}}
resources:
  requests:
    cpu: {{ .Values.resources.requests.cpu | quote }}
    memory: {{ .Values.resources.requests.memory | quote }}
    {{- with and .withScratch .Values.scratch }}
    {{- /* The scheduler places the service's pod where its scratch volume fits. */}}
    ephemeral-storage: {{ .sizeLimit | quote }}
    {{- end }}
  limits:
    cpu: {{ .Values.resources.limits.cpu | quote }}
    memory: {{ .Values.resources.limits.memory | quote }}
{{- end -}}

{{/* A container that runs as a non-root user on a read-only root filesystem with no capabilities. */}}
{{- define "platform-lib.containerSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities:
    drop: ["ALL"]
  seccompProfile:
    type: RuntimeDefault
{{- end -}}

{{/* The pod's: non-root user and group 10001 (the images' user), volumes writable by its group. */}}
{{- define "platform-lib.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
  seccompProfile:
    type: RuntimeDefault
{{- end -}}
