import { createContext, useContext } from "react";

// The CSP nonce of this response, for the few <script> tags Remix renders.
// Empty in the browser: after hydration no new inline scripts are added.
const NonceContext = createContext("");
export const NonceProvider = NonceContext.Provider;
export const useNonce = () => useContext(NonceContext);
