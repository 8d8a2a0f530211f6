{{/* CORS for browser calls: gRPC-web headers in, grpc-status and grpc-message readable by scripts. */}}
{{- define "mesh.corsPolicy" -}}
allowOrigins:
  {{- range .Values.cors.allowOrigins }}
  - exact: {{ . | quote }}
  {{- end }}
allowMethods: ["POST", "GET", "OPTIONS"]
allowHeaders:
  - authorization
  - content-type
  - grpc-timeout
  - keep-alive
  - user-agent
  - cache-control
  - x-grpc-web
  - x-user-agent
  - x-accept-content-transfer-encoding
  - x-accept-response-streaming
exposeHeaders: ["grpc-status", "grpc-message", "grpc-status-details-bin"]
allowCredentials: true
maxAge: {{ .Values.cors.maxAge }}
{{- end -}}
