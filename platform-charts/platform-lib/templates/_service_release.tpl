{{/* Everything one service ships in its own Helm release; a service chart's only template calls this. */}}
{{- define "platform-lib.service.release" -}}
{{ include "platform-lib.service.serviceAccount" . }}
---
{{ include "platform-lib.service.deployment" . }}
---
{{ include "platform-lib.service.service" . }}
---
{{ include "platform-lib.service.autoscaler" . }}
---
{{ include "platform-lib.service.disruptionBudget" . }}
---
{{ include "platform-lib.service.destinationRule" . }}
---
{{ include "platform-lib.service.virtualService" . }}
---
{{ include "platform-lib.service.authorizationPolicy" . }}
---
{{ include "platform-lib.service.networkPolicy" . }}
{{- if .Values.kubernetesAccess.rules }}
---
{{ include "platform-lib.service.role" . }}
{{- end }}
{{- if .Values.network.egress.database }}
---
{{ include "platform-lib.service.databaseNetworkPolicy" . }}
---
{{ include "platform-lib.service.migrations" . }}
{{- end }}
{{- if include "platform-lib.monitoringEnabled" (dict "root" . "mode" .Values.telemetry.podMonitor "kind" "PodMonitor") }}
---
{{ include "platform-lib.service.podMonitor" . }}
{{- end }}
{{- if .Values.authorization.publicHttpPaths }}
---
{{ include "platform-lib.service.publicPortPeerAuthentication" . }}
{{- end }}
{{- end -}}

{{/*
Public HTTP paths are fetched by clients outside the mesh (istiod fetching the JWKS), so that one
port accepts plain text; the namespace stays STRICT everywhere else.
*/}}
{{- define "platform-lib.service.publicPortPeerAuthentication" -}}
apiVersion: security.istio.io/v1
kind: PeerAuthentication
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  mtls:
    mode: STRICT
  portLevelMtls:
    {{ .Values.ports.http }}:
      mode: PERMISSIVE
{{- end -}}
