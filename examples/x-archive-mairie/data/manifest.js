window.__THAR_CONFIG = { "userInfo" : { "userName" : "MairieDeBrest" } }
