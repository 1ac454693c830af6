// transitional: a folder with no sources yet
