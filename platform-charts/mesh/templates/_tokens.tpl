{{/* The JWT rules of the platform's tokens: issuer, audience, ms-auth's JWKS, where a token is read. */}}
{{- define "mesh.jwtRules" -}}
{{- $jwt := .Values.jwt -}}
jwtRules:
  - issuer: {{ $jwt.issuer | quote }}
    jwksUri: {{ include "platform-lib.jwksUri" (dict "jwt" $jwt "namespace" .Release.Namespace) | quote }}
    audiences:
      - {{ $jwt.audience | quote }}
    fromHeaders:
      - name: Authorization
        prefix: "Bearer "
    fromParams:
      - {{ $jwt.queryParameter }}
    forwardOriginalToken: true
{{- end -}}
