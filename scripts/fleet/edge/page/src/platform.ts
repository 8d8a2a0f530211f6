// The platform's services as seen from the browser: gRPC-web through the edge that served this page.
import { createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { ActivityService } from "@knowledge/protos/knowledge/activity/v1/activity_service_pb";
import { AuthService } from "@knowledge/protos/knowledge/auth/v1/auth_service_pb";
import { CanvasService } from "@knowledge/protos/knowledge/canvas/v1/canvas_service_pb";
import { ChatService } from "@knowledge/protos/knowledge/chat/v1/chat_service_pb";
import { DocumentService } from "@knowledge/protos/knowledge/knowledge/v1/document_service_pb";
import { NotificationService } from "@knowledge/protos/knowledge/notifications/v1/notification_service_pb";
import { SpaceService } from "@knowledge/protos/knowledge/knowledge/v1/space_service_pb";
import { VectorService } from "@knowledge/protos/knowledge/vector/v1/vector_service_pb";

export interface Platform {
  auth: Client<typeof AuthService>;
  spaces: Client<typeof SpaceService>;
  documents: Client<typeof DocumentService>;
  canvases: Client<typeof CanvasService>;
  vector: Client<typeof VectorService>;
  chat: Client<typeof ChatService>;
  notifications: Client<typeof NotificationService>;
  activity: Client<typeof ActivityService>;
}

/** Where the access token of the signed-in user lives; every call carries it as a bearer token. */
export class Credentials {
  accessToken = "";
  refreshToken = "";

  readonly attach: Interceptor = (next) => async (request) => {
    if (this.accessToken) {
      request.header.set("authorization", `Bearer ${this.accessToken}`);
    }
    return next(request);
  };
}

export function connectPlatform(credentials: Credentials): Platform {
  const transport = createGrpcWebTransport({
    baseUrl: window.location.origin,
    useBinaryFormat: true,
    interceptors: [credentials.attach],
  });
  return {
    auth: createClient(AuthService, transport),
    spaces: createClient(SpaceService, transport),
    documents: createClient(DocumentService, transport),
    canvases: createClient(CanvasService, transport),
    vector: createClient(VectorService, transport),
    chat: createClient(ChatService, transport),
    notifications: createClient(NotificationService, transport),
    activity: createClient(ActivityService, transport),
  };
}
