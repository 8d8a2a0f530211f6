{{/*
The container image: [registry/]repository:tag, the tag defaulting to the chart's appVersion, and
@digest when values pin one (the kubelet then pulls exactly that content, whatever the tag says).
*/}}
{{- define "platform-lib.image" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion -}}
{{- $reference := printf "%s:%s" .Values.image.repository $tag -}}
{{- with .Values.image.registry -}}
{{- $reference = printf "%s/%s" . $reference -}}
{{- end -}}
{{- with .Values.image.digest -}}
{{- $reference = printf "%s@%s" $reference . -}}
{{- end -}}
{{- $reference -}}
{{- end -}}

{{/* Pull secrets and scheduling of a release's pods (the Deployment's and the migration Job's). */}}
{{- define "platform-lib.podPlacement" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
{{- with .Values.scheduling.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* How replicas spread over zones and nodes: each values entry, selecting the release's pods. */}}
{{- define "platform-lib.topologySpread" -}}
{{- $selector := dict "matchLabels" (include "platform-lib.selectorLabels" . | fromYaml) -}}
{{- $constraints := list -}}
{{- range .Values.scheduling.topologySpread -}}
{{- $constraints = append $constraints (merge (dict "labelSelector" $selector) .) -}}
{{- end -}}
{{- with $constraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
