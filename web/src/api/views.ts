// Plain views of the platform's resources (numbers and ISO dates, no bigint), shared by Server
// Components, Server Actions and the browser's streams.
import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { Document, DocumentVersion } from "@knowledge/protos/knowledge/knowledge/v1/document_pb";
import { SpaceRole, type Space, type SpaceMember } from "@knowledge/protos/knowledge/knowledge/v1/space_pb";

export interface SpaceView {
  name: string;
  id: string;
  displayName: string;
  description: string;
  etag: string;
}

export interface MemberView {
  name: string;
  user: string;
  role: RoleName;
  invitedBy: string;
}

export type RoleName = "viewer" | "editor" | "owner" | "unknown";

export interface DocumentView {
  name: string;
  id: string;
  title: string;
  content: string;
  revision: number;
  etag: string;
  updateTime: string;
  lastEditor: string;
}

export interface VersionView {
  name: string;
  revision: number;
  title: string;
  author: string;
  createTime: string;
  restoredFromRevision: number;
}

export const ROLES: Record<RoleName, SpaceRole> = {
  viewer: SpaceRole.VIEWER,
  editor: SpaceRole.EDITOR,
  owner: SpaceRole.OWNER,
  unknown: SpaceRole.UNSPECIFIED,
};

export function roleName(role: SpaceRole): RoleName {
  switch (role) {
    case SpaceRole.VIEWER:
      return "viewer";
    case SpaceRole.EDITOR:
      return "editor";
    case SpaceRole.OWNER:
      return "owner";
    default:
      return "unknown";
  }
}

export function spaceName(id: string): string {
  return `spaces/${id}`;
}

export function documentName(space: string, id: string): string {
  return `spaces/${space}/documents/${id}`;
}

/** The last segment of a resource name (spaces/abc → abc). */
export function lastSegment(name: string): string {
  return name.slice(name.lastIndexOf("/") + 1);
}

function isoTime(time: Timestamp | undefined): string {
  return time ? timestampDate(time).toISOString() : "";
}

export function spaceView(space: Space): SpaceView {
  return {
    name: space.name,
    id: lastSegment(space.name),
    displayName: space.displayName,
    description: space.description,
    etag: space.etag,
  };
}

export function documentView(document: Document): DocumentView {
  return {
    name: document.name,
    id: lastSegment(document.name),
    title: document.title,
    content: document.content,
    revision: Number(document.revision),
    etag: document.etag,
    updateTime: isoTime(document.updateTime),
    lastEditor: document.lastEditor,
  };
}

export function versionView(version: DocumentVersion): VersionView {
  return {
    name: version.name,
    revision: Number(version.revision),
    title: version.title,
    author: version.author,
    createTime: isoTime(version.createTime),
    restoredFromRevision: Number(version.restoredFromRevision),
  };
}

export function memberView(member: SpaceMember): MemberView {
  return {
    name: member.name,
    user: member.user,
    role: roleName(member.role),
    invitedBy: member.invitedBy,
  };
}

