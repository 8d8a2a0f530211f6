{{/*
Who may call the service: the callers repos.yaml lists, each by its ServiceAccount identity, on the
service's full gRPC method paths only; the ingress gateway when browsers call it (gRPC-web and the
WebSocket port); anyone on the public HTTP paths (the JWKS the mesh validates tokens against).
Everything else falls to the namespace's default deny.
*/}}
{{- define "platform-lib.service.authorizationPolicy" -}}
{{- $auth := .Values.authorization -}}
{{- $mesh := .Values.mesh -}}
{{- $principals := list -}}
{{- range $auth.callers -}}
{{- $principals = append $principals (include "platform-lib.principal" (dict "trustDomain" $mesh.trustDomain "namespace" $.Release.Namespace "serviceAccount" .)) -}}
{{- end -}}
{{- $ingress := include "platform-lib.principal" (dict "trustDomain" $mesh.trustDomain "namespace" $mesh.ingressGateway.namespace "serviceAccount" $mesh.ingressGateway.serviceAccount) -}}
{{- if $auth.ingress -}}
{{- $principals = append $principals $ingress -}}
{{- end -}}
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
{{ include "platform-lib.metadata" (dict "root" . "name" (include "platform-lib.name" .)) }}
spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  action: ALLOW
  rules:
    {{- if $principals }}
    - from:
        - source:
            principals:
              {{- toYaml $principals | nindent 14 }}
      to:
        - operation:
            ports: [{{ .Values.ports.grpc | quote }}]
            paths:
              {{- range .Values.grpc.services }}
              - /{{ . }}/*
              {{- end }}
    {{- end }}
    {{- if and $auth.ingress .Values.ports.websocket }}
    - from:
        - source:
            principals:
              - {{ $ingress }}
      to:
        - operation:
            ports: [{{ .Values.ports.websocket | quote }}]
            methods: ["GET"]
    {{- end }}
    {{- if $auth.publicHttpPaths }}
    - to:
        - operation:
            ports: [{{ required "ports.http is needed to serve authorization.publicHttpPaths" .Values.ports.http | quote }}]
            methods: ["GET"]
            paths:
              {{- toYaml $auth.publicHttpPaths | nindent 14 }}
    {{- end }}
{{- end -}}
