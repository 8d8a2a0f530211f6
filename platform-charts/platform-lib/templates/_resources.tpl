{{/* Requests and limits; both are required by the values schema, so every container has them. */}}
{{- define "platform-lib.resources" -}}
resources:
  requests:
    cpu: {{ .Values.resources.requests.cpu | quote }}
    memory: {{ .Values.resources.requests.memory | quote }}
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
