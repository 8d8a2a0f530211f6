{{/*
Who may call the service: the callers repos.yaml lists, each by its ServiceAccount identity, on the
service's full gRPC method paths only (a caller in `caller_methods`: on those methods only); the
ingress gateway when browsers call it (gRPC-web and the WebSocket port); anyone on the public HTTP
paths (the JWKS the mesh validates tokens against).
Everything else falls to the namespace's default deny.
*/}}
{{- define "platform-lib.service.authorizationPolicy" -}}
{{- $auth := .Values.authorization -}}
{{- $mesh := .Values.mesh -}}
{{- $principals := list -}}
{{- $limited := list -}}
{{- range $auth.callers -}}
{{- $principal := include "platform-lib.principal" (dict "trustDomain" $mesh.trustDomain "namespace" $.Release.Namespace "serviceAccount" .) -}}
{{- with get $auth.callerMethods . -}}
{{- $limited = append $limited (dict "from" (list (dict "source" (dict "principals" (list $principal)))) "to" (list (dict "operation" (dict "ports" (list (toString $.Values.ports.grpc)) "paths" .)))) -}}
{{- else -}}
{{- $principals = append $principals $principal -}}
{{- end -}}
{{- end -}}
{{- $ingress := include "platform-lib.principal" (dict "trustDomain" $mesh.trustDomain "namespace" $mesh.ingressGateway.namespace "serviceAccount" $mesh.ingressGateway.serviceAccount) -}}
{{- if $auth.ingress -}}
{{- $principals = append $principals $ingress -}}
{{- end -}}
{{- $rules := list -}}
{{- if $principals -}}
{{- $paths := list -}}
{{- range .Values.grpc.services -}}
{{- $paths = append $paths (printf "/%s/*" .) -}}
{{- end -}}
{{- $grpc := dict "ports" (list (toString .Values.ports.grpc)) "paths" $paths -}}
{{- $rules = append $rules (dict "from" (list (dict "source" (dict "principals" $principals))) "to" (list (dict "operation" $grpc))) -}}
{{- end -}}
{{- if and $auth.ingress .Values.ports.websocket -}}
{{- $websocket := dict "ports" (list (toString .Values.ports.websocket)) "methods" (list "GET") -}}
{{- $rules = append $rules (dict "from" (list (dict "source" (dict "principals" (list $ingress)))) "to" (list (dict "operation" $websocket))) -}}
{{- end -}}
{{- $rules = concat $rules $limited -}}
{{- if $auth.publicHttpPaths -}}
{{- $port := required "ports.http is needed to serve authorization.publicHttpPaths" .Values.ports.http -}}
{{- $public := dict "ports" (list (toString $port)) "methods" (list "GET") "paths" $auth.publicHttpPaths -}}
{{- $rules = append $rules (dict "to" (list (dict "operation" $public))) -}}
{{- end -}}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  action: ALLOW
  {{- /* No rules: nobody may call the service (an ALLOW policy matching nothing denies all). */}}
  {{- if $rules }}
  rules:
    {{- toYaml $rules | nindent 4 }}
  {{- else }}
  rules: []
  {{- end }}
{{- end -}}
