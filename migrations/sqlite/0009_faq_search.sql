-- The FAQ is searched by word stems in the server (news::search); the stored search text is gone.
ALTER TABLE faq_items DROP COLUMN search_text;
