import { redirect } from "next/navigation";
import { currentMe } from "@/api/session";

export default async function Home() {
  redirect((await currentMe()) ? "/spaces" : "/sign-in");
}
